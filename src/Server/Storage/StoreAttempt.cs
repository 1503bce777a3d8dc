namespace FlowTrace.Server.Storage;

/// <summary>What storing a finished trace came to: its id, or why it was not stored.</summary>
/// <param name="Id">The stored trace's id, or null.</param>
/// <param name="Error">Why it was not stored (storage switched off, the database unavailable), or null.</param>
public sealed record StoreAttempt(string? Id, string? Error)
{
    /// <summary>The page that shows a stored trace.</summary>
    public string? Permalink => Id is null ? null : $"/t/{Id}";
}
