/**
 * Descriptions from dbt YAML, rendered as Markdown with one set of rules everywhere: no raw HTML (react-markdown's
 * default), unsafe URLs dropped (its default transform), links open in a new tab without handing it this page.
 * GitHub-flavoured Markdown (tables, strikethrough, task lists, autolinks), as dbt docs often use it.
 * `compact` is for table cells: paragraphs without margins, headings as bold text, images as their alt text.
 */
import { Box } from "@mui/material";
import type { ComponentProps, ReactNode } from "react";
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

function SafeLink({ node: _node, href, children, ...rest }: ComponentProps<"a"> & { node?: unknown }) {
  return (
    <a {...rest} href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

const PLUGINS = [remarkGfm];

const BLOCK: Components = { a: SafeLink };

const Strong = ({ children }: { children?: ReactNode }) => <strong>{children}</strong>;
const COMPACT: Components = {
  a: SafeLink,
  h1: Strong,
  h2: Strong,
  h3: Strong,
  h4: Strong,
  h5: Strong,
  h6: Strong,
  img: ({ alt }) => <>{alt}</>,
};

const codeStyle = { bgcolor: "#f2f4f7", px: 0.5, borderRadius: 0.5, fontSize: "0.92em" } as const;
const tableStyle = { borderCollapse: "collapse", my: 0.5, fontSize: "0.95em" } as const;
const cellStyle = { border: "1px solid #eaecf0", px: 1, py: 0.25, textAlign: "left", verticalAlign: "top" } as const;

export function MarkdownText({ children, compact = false }: { children: string; compact?: boolean }) {
  if (compact) {
    return (
      <Box
        className="markdown-compact"
        sx={{ fontSize: 13, lineHeight: 1.5, "& p": { m: 0 }, "& p + p, & ul, & ol, & pre": { mt: 0.5, mb: 0 }, "& ul, & ol": { pl: 2.5 }, "& code": codeStyle, "& pre": { whiteSpace: "pre-wrap" }, "& table": tableStyle, "& th, & td": cellStyle }}
      >
        <Markdown components={COMPACT} remarkPlugins={PLUGINS}>
          {children}
        </Markdown>
      </Box>
    );
  }
  return (
    <Box sx={{ fontSize: 14, lineHeight: 1.6, "& p": { mt: 0, mb: 1 }, "& code": codeStyle, "& table": { ...tableStyle, mb: 1 }, "& th, & td": cellStyle }}>
      <Markdown components={BLOCK} remarkPlugins={PLUGINS}>
        {children}
      </Markdown>
    </Box>
  );
}
