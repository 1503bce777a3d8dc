namespace FlowTrace.Tracer.Dns;

/// <summary>One query sent and what came back.</summary>
/// <param name="Answer">The answer's bytes, or null when none came.</param>
/// <param name="SentAt">When the query left (the trace's clock).</param>
/// <param name="ArrivedAt">When the answer arrived, or when the exchange gave up.</param>
/// <param name="Error">Why there is no answer, said of the server ("refused the TCP connection"), or null.</param>
/// <param name="TimedOut">True when no answer came in time.</param>
internal sealed record DnsExchange(byte[]? Answer, long SentAt, long ArrivedAt, string? Error, bool TimedOut = false);
