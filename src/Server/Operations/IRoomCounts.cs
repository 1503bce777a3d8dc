namespace FlowTrace.Server.Operations;

/// <summary>How many workshop rooms are open and how many attendees they hold, for the metrics.</summary>
public interface IRoomCounts
{
    /// <summary>Rooms open.</summary>
    int OpenRooms { get; }

    /// <summary>Attendees connected, over all rooms.</summary>
    int Attendees { get; }
}
