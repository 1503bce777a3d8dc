namespace FlowTrace.Contracts.Ladder;

/// <summary>A trace drawn as the exchange between the client, its resolvers and the servers.</summary>
/// <param name="Lanes">Client first, then resolvers and servers in the order the trace met them.</param>
/// <param name="Arrows">Every message, in the order of the events they come from.</param>
/// <param name="Blocks">The client's own processing between a message received and the next one sent.</param>
/// <param name="End">The latest moment drawn.</param>
public sealed record LadderDiagram(IReadOnlyList<LadderLane> Lanes, IReadOnlyList<LadderArrow> Arrows, IReadOnlyList<LadderBlock> Blocks, TimeSpan End);
