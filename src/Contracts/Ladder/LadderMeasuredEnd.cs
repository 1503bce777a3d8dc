namespace FlowTrace.Contracts.Ladder;

/// <summary>Which end of an arrow the client's clock measured.</summary>
public enum LadderMeasuredEnd
{
    /// <summary>The client sent it: the departure is measured, the arrival estimated.</summary>
    Sent,

    /// <summary>The client received it: the arrival is measured, the departure estimated.</summary>
    Arrived,
}
