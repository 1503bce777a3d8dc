namespace FlowTrace.Server.Rooms;

/// <summary>What both room directories say and trim alike.</summary>
internal static class RoomLimits
{
    /// <summary>The refusal when as many rooms are open as may be.</summary>
    public static string TooManyRooms(int max) =>
        $"This server has {max} workshop rooms open, the most it holds; try again when one closes.";

    /// <summary>A room's title: the given one trimmed to 100 characters, or the default.</summary>
    public static string Title(string? title)
    {
        var name = string.IsNullOrWhiteSpace(title) ? "FlowTrace workshop" : title.Trim();
        return name.Length > 100 ? name[..100] : name;
    }
}
