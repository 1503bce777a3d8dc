namespace FlowTrace.Tracer.Tracing;

/// <summary>Thrown by <see cref="TraceRequestValidator"/> for input that cannot be traced.</summary>
public sealed class TraceRequestException(string message) : Exception(message);
