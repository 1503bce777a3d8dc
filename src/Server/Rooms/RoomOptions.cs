namespace FlowTrace.Server.Rooms;

/// <summary>The configuration section <c>FlowTrace:Rooms</c>: workshop rooms' limits and lifetime.</summary>
public sealed record RoomOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "FlowTrace:Rooms";

    /// <summary>Attendees one room holds at most.</summary>
    public int MaxAttendeesPerRoom { get; init; } = 500;

    /// <summary>Rooms open at once on this server.</summary>
    public int MaxRooms { get; init; } = 100;

    /// <summary>A room nobody used for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(3);

    /// <summary>Questions one room may ask.</summary>
    public int MaxQuestionsPerRoom { get; init; } = 100;

    /// <summary>Answers one attendee may send a minute.</summary>
    public int AnswersPerMinutePerAttendee { get; init; } = 30;

    /// <summary>Whether the values make sense (checked at start-up).</summary>
    public bool IsValid => MaxAttendeesPerRoom > 0 && MaxRooms > 0 && IdleTimeout > TimeSpan.Zero && MaxQuestionsPerRoom > 0 && AnswersPerMinutePerAttendee > 0;
}
