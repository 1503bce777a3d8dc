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

    /// <summary>Step mode: how long a paused trace waits for "Next step" before it is cancelled.</summary>
    public TimeSpan StepModeTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Step mode: the limit on a whole step-mode trace, pauses included.</summary>
    public TimeSpan StepModeTotalTimeout { get; init; } = TimeSpan.FromMinutes(60);
}
