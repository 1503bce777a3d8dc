namespace FlowTrace.Tracer.Http;

/// <summary>Bounds on what the tracer reads from a server.</summary>
internal sealed record HttpLimits(long MaxBodyBytes, int MaxHeadBytes = 64 * 1024, int MaxHeaders = 200);
