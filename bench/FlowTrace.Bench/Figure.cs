namespace FlowTrace.Bench;

/// <summary>One measured figure, with the reference it is judged against in the same run.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Value">The figure.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Reference">The reference figure measured side by side (curl, the wire, a bare hub), if any.</param>
/// <param name="Ratio">Value / Reference, or the error as a fraction of the wire figure.</param>
/// <param name="Goal">The goal in words.</param>
/// <param name="Met">Whether the goal is met; null when the figure is context only.</param>
public sealed record Figure(string Name, double Value, string Unit, double? Reference, double? Ratio, string Goal, bool? Met);
