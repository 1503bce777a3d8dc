namespace FlowTrace.Client.Services;

/// <summary>The one running operation of a page (a trace, a comparison): starting a new one needs the old one stopped.</summary>
public sealed class RunSlot
{
    private CancellationTokenSource? _running;

    /// <summary>Starts a new run and returns its token; call <see cref="CancelAsync"/> first.</summary>
    public CancellationToken Begin()
    {
        _running = new CancellationTokenSource();
        return _running.Token;
    }

    /// <summary>Cancels the running operation, if any.</summary>
    public async Task CancelAsync()
    {
        if (_running is { } running)
        {
            _running = null;
            await running.CancelAsync();
            running.Dispose();
        }
    }
}
