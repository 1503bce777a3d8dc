namespace FlowTrace.Tracer.Http;

/// <summary>The server's response broke HTTP/1.1 or one of the tracer's limits.</summary>
/// <param name="code">A stable code for the failure.</param>
/// <param name="message">What was wrong, in plain words.</param>
internal sealed class ResponseProtocolException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
