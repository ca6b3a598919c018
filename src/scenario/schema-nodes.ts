/** Walking the zod scenario schema by field path: its node types, and the wrappers to look through. */
export type SchemaNode = { _zod: { def: Record<string, unknown> & { type: string } } };

/** The node under optional / default / nullable / prefault wrappers and the input side of a pipe (units). */
export function unwrap(node: SchemaNode): SchemaNode {
  for (;;) {
    const def = node._zod.def;
    if (['optional', 'default', 'nullable', 'prefault'].includes(def.type)) node = def.innerType as SchemaNode;
    else if (def.type === 'pipe') node = def.in as SchemaNode;
    // A value or an object (workload.rate: 2000/s or {find: max, …}): the object's fields are the ones to name.
    else if (def.type === 'union' && objectOption(def.options)) node = objectOption(def.options)!;
    else return node;
  }
}

function objectOption(options: unknown): SchemaNode | undefined {
  return (options as SchemaNode[]).find((option) => unwrap(option)._zod.def.type === 'object');
}
