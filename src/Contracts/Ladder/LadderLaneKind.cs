namespace FlowTrace.Contracts.Ladder;

/// <summary>Who a lane of the ladder diagram stands for.</summary>
public enum LadderLaneKind
{
    /// <summary>This computer: the tracer.</summary>
    Client,

    /// <summary>A DNS resolver the client asked.</summary>
    Resolver,

    /// <summary>A server address the client connected to (one lane per address tried).</summary>
    Server,
}
