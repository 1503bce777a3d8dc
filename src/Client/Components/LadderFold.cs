namespace FlowTrace.Client.Components;

/// <summary>An idle stretch of the ladder drawn shorter than to scale.</summary>
/// <param name="Y">Where the mark is drawn.</param>
/// <param name="Length">How long the stretch really was.</param>
public sealed record LadderFold(double Y, TimeSpan Length);
