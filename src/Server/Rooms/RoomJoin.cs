namespace FlowTrace.Server.Rooms;

/// <summary>How an attendee's join went.</summary>
public enum RoomJoin
{
    /// <summary>In the room.</summary>
    Joined,

    /// <summary>The room holds as many attendees as it may.</summary>
    Full,

    /// <summary>No room has that code.</summary>
    NoSuchRoom,
}
