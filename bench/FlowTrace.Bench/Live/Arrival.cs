namespace FlowTrace.Bench.Live;

/// <summary>A stream item as the client's loop received it: its sequence, the parsed object and the stamp.</summary>
public readonly record struct Arrival(int Sequence, object Item, long At);
