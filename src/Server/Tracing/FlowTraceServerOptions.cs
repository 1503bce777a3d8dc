using FlowTrace.Lab;

namespace FlowTrace.Server.Tracing;

/// <summary>The server's configuration section <c>FlowTrace</c>.</summary>
public sealed record FlowTraceServerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "FlowTrace";

    /// <summary>Start the offline demo lab with the server (default: yes).</summary>
    public bool LabEnabled { get; init; } = true;

    /// <summary>Where the lab listens.</summary>
    public LabOptions Lab { get; init; } = new();

    /// <summary>Destination policy: open, local or public; null chooses from the listening addresses (loopback
    /// only: local; anything else: public).</summary>
    public FlowTrace.Tracer.Policy.DestinationMode? Mode { get; init; }

    /// <summary>Ports traces may connect to (local and public modes).</summary>
    public string AllowedPorts { get; init; } = "80, 443, 8000-8999";

    /// <summary>Traces one browser connection may run at once.</summary>
    public int MaxTracesPerConnection { get; init; } = 3;

    /// <summary>Traces (and SNI comparisons) one client IP may start per minute.</summary>
    public int TracesPerMinutePerClient { get; init; } = 30;

    /// <summary>Traces running at once on the whole server.</summary>
    public int MaxConcurrentTraces { get; init; } = 200;

    /// <summary>Largest hub message a client may send, in bytes.</summary>
    public long MaxHubMessageBytes { get; init; } = 32 * 1024;

    /// <summary>Step mode: how long a paused trace waits for "Next step" before it is cancelled.</summary>
    public TimeSpan StepModeTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Step mode: the limit on a whole step-mode trace, pauses included.</summary>
    public TimeSpan StepModeTotalTimeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Whether <c>/metrics</c> answers clients on any address (a Prometheus server on another machine); by
    /// default only loopback clients may read how the server is used.</summary>
    public bool MetricsFromAnyAddress { get; init; }
}
