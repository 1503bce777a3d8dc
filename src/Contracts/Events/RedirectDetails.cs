namespace FlowTrace.Contracts.Events;

/// <summary>A redirect the trace follows to a new hop.</summary>
/// <param name="StatusCode">The redirect status (301, 302, 303, 307, 308).</param>
/// <param name="From">The URL that redirected.</param>
/// <param name="To">The absolute URL of the next hop.</param>
/// <param name="SameOrigin">True when scheme, host and port are unchanged.</param>
public sealed record RedirectDetails(int StatusCode, string From, string To, bool SameOrigin) : TraceEventDetails;
