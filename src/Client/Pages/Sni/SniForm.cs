using FlowTrace.Contracts.Sni;

namespace FlowTrace.Client.Pages.Sni;

/// <summary>The SNI page's fields.</summary>
public sealed class SniForm
{
    public string? Target { get; set; }
    public string? Names { get; set; }
    public string? HostCheckSni { get; set; }
    public string? HostCheckHost { get; set; }

    public SniComparisonMessage ToMessage() => new()
    {
        Target = Target?.Trim(),
        Names = [.. (Names ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
        IncludeNoSni = true,
        HostCheckSni = string.IsNullOrWhiteSpace(HostCheckSni) ? null : HostCheckSni.Trim(),
        HostCheckHost = string.IsNullOrWhiteSpace(HostCheckHost) ? null : HostCheckHost.Trim(),
    };
}
