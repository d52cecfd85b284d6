/** A dashboard section: its heading (the main region is labelled by it), a lead paragraph, then the content. */
import type { ReactNode } from "react";

export function Panel({ title, lead, children }: { title: string; lead: ReactNode; children: ReactNode }) {
  return (
    <section className="panel">
      <h1 id="section-title">{title}</h1>
      <p className="lead">{lead}</p>
      {children}
    </section>
  );
}
