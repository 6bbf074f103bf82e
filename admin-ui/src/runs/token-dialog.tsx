/**
 * Where launching needs a token: "Use a token" opens a dialog to paste the API token `tributary token create`
 * printed, kept in this browser (localStorage) and sent with every request; "Forget token" drops it. Every
 * query is asked again, so buttons appear (or stay away) as the server says the token's role allows.
 */
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { readToken, saveToken } from "../data-provider/token.ts";

export function TokenButton() {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const held = readToken() !== null;
  const apply = (token: string | null) => {
    saveToken(token);
    setOpen(false);
    setText("");
    void queryClient.invalidateQueries();
  };
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid="token-button">
        {held ? "Change token" : "Use a token"}
      </Button>
      {held && (
        <Button size="small" onClick={() => apply(null)}>
          Forget token
        </Button>
      )}
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="token-title">
        <DialogTitle id="token-title">API token</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            Paste the token <code>tributary token create --role operator</code> printed for you. It stays in this browser and is sent with every request.
          </DialogContentText>
          <TextField
            autoFocus
            fullWidth
            type="password"
            label="Token"
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Enter" && text.trim() !== "") apply(text);
            }}
            slotProps={{ htmlInput: { "data-testid": "token-input", autoComplete: "off" } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Cancel</Button>
          <Button variant="contained" disabled={text.trim() === ""} onClick={() => apply(text)} data-testid="token-save">
            Save
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
