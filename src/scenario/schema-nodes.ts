/** Walking the zod scenario schema by field path: its node types, and the wrappers to look through. */
export type SchemaNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/** The node under optional / default / nullable / prefault wrappers and the input side of a pipe (units). */
export function unwrap(node: SchemaNode): SchemaNode {
  for (;;) {
    const def = node._zod.def;
    if (['optional', 'default', 'nullable', 'prefault'].includes(def.type)) node = def.innerType as SchemaNode;
    else if (def.type === 'pipe') node = def.in as SchemaNode;
    else return node;
  }
}
