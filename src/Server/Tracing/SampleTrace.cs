using FlowTrace.Contracts.Events;

namespace FlowTrace.Server.Tracing;

/// <summary>
/// The events of the server's own warm-up trace of the lab, kept for pages to replay while they are idle: reading and
/// drawing them once compiles the page's code (WebAssembly interprets it on first use), so that a user's first trace is
/// drawn as live as the tenth. Empty until the warm-up ran.
/// </summary>
public sealed class SampleTrace
{
    private volatile IReadOnlyList<TraceEvent> _events = [];

    /// <summary>The sample's events, in order.</summary>
    public IReadOnlyList<TraceEvent> Events => _events;

    /// <summary>Keeps <paramref name="events"/> as the sample (once a trace that completed is at hand).</summary>
    public void Keep(IReadOnlyList<TraceEvent> events) => _events = [.. events];
}
