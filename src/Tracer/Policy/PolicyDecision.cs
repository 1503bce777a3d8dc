namespace FlowTrace.Tracer.Policy;

/// <summary>Whether a destination may be connected to, and why not.</summary>
/// <param name="Allowed">True when the connection may be made.</param>
/// <param name="Reason">Why it was refused, in plain words; null when allowed.</param>
public sealed record PolicyDecision(bool Allowed, string? Reason)
{
    /// <summary>The decision that allows.</summary>
    public static PolicyDecision Allow { get; } = new(true, null);

    /// <summary>A refusal with its reason.</summary>
    public static PolicyDecision Refuse(string reason) => new(false, reason);
}
