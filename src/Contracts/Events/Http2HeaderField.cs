namespace FlowTrace.Contracts.Events;

/// <summary>One header field of an HTTP/2 header block and how HPACK carried it.</summary>
/// <param name="Name">The name.</param>
/// <param name="Value">The value.</param>
/// <param name="Carried">How: "static table 2", "dynamic table 62" (the whole field as an index), "literal, name from
/// static table 1, added to the table", "literal, never indexed", ...</param>
/// <param name="WireBytes">The bytes it took in the block.</param>
public sealed record Http2HeaderField(string Name, string Value, string Carried, int WireBytes);
