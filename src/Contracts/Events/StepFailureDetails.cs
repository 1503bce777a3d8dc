namespace FlowTrace.Contracts.Events;

/// <summary>Why a step failed.</summary>
/// <param name="Code">A stable code, e.g. dns-nxdomain, tcp-refused, tls-alert, timeout, invalid-request.</param>
/// <param name="Reason">What happened, in plain words.</param>
public sealed record StepFailureDetails(string Code, string Reason) : TraceEventDetails
{
    /// <summary>The code of a request refused before anything was sent (bad input).</summary>
    public const string InvalidRequest = "invalid-request";

    /// <summary>The code of a trace its consumer stopped (a closed tab, Ctrl+C, a client that went away).</summary>
    public const string Cancelled = "cancelled";
}
