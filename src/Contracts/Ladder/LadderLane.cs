namespace FlowTrace.Contracts.Ladder;

/// <summary>One vertical lane of the ladder diagram.</summary>
/// <param name="Id">The lane's key: "client", or the resolver's or server's address and port.</param>
/// <param name="Kind">Who it stands for.</param>
/// <param name="Label">What the diagram writes above it.</param>
public sealed record LadderLane(string Id, LadderLaneKind Kind, string Label);
