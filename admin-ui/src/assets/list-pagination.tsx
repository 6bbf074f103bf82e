/** The catalog list's pagination bar (list-page.tsx) on react-admin's list state. */
import { useListContext } from "react-admin";
import { PaginationView } from "./list-page.tsx";

export function ListPagination() {
  const { page, perPage, total, hasNextPage, setPage, setPerPage, isPending } = useListContext();
  if (isPending || total === undefined) return null;
  return (
    <PaginationView
      page={page}
      perPage={perPage}
      total={total}
      hasNextPage={hasNextPage ?? page * perPage < total}
      onPage={setPage}
      onPerPage={setPerPage}
    />
  );
}
