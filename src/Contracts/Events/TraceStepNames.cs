namespace FlowTrace.Contracts.Events;

/// <summary>The names every front end shows for the steps, so the page and the command line say the same.</summary>
public static class TraceStepNames
{
    /// <summary>The seven steps in the order a request travels.</summary>
    public static IReadOnlyList<TraceStep> Flow { get; } =
        [TraceStep.Dns, TraceStep.Tcp, TraceStep.Tls, TraceStep.HttpRequest, TraceStep.ServerProcessing, TraceStep.HttpResponse, TraceStep.Connection];

    /// <summary>The step's display name.</summary>
    public static string Of(TraceStep step) => step switch
    {
        TraceStep.Dns => "DNS lookup",
        TraceStep.Tcp => "TCP connection",
        TraceStep.Tls => "TLS handshake",
        TraceStep.HttpRequest => "HTTP request",
        TraceStep.ServerProcessing => "Server processing",
        TraceStep.HttpResponse => "HTTP response",
        TraceStep.Connection => "Connection handling",
        _ => "Trace",
    };
}
