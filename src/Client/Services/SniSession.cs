using FlowTrace.Contracts.Sni;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace FlowTrace.Client.Services;

/// <summary>The SNI comparison page's state: results arrive one per name as each handshake finishes.</summary>
public sealed class SniSession(HubClient hub) : IAsyncDisposable
{
    private readonly RunSlot _run = new();

    /// <summary>Raised after every change.</summary>
    public event Action? Changed;

    /// <summary>Results per name, in the order they finished.</summary>
    public List<SniProbeResult> Results { get; } = [];

    /// <summary>The SNI/Host check, when asked for.</summary>
    public SniHostCheckResult? HostCheck { get; private set; }

    /// <summary>The comparison across names, once it arrived.</summary>
    public SniComparisonSummary? Summary { get; private set; }

    /// <summary>True while handshakes run.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>A request or connection error.</summary>
    public string? Error { get; private set; }

    /// <summary>The id the server keeps the comparison shown under (its permalink is <c>/sni/{id}</c>), once kept.</summary>
    public string? StoredId { get; private set; }

    private HubConnection? _toldWhereStored;

    /// <summary>Runs a comparison, replacing the previous one.</summary>
    public async Task CompareAsync(SniComparisonMessage request)
    {
        await CancelAsync();
        Results.Clear();
        HostCheck = null;
        Summary = null;
        Error = null;
        StoredId = null;
        IsRunning = true;
        Changed?.Invoke();
        var token = _run.Begin();
        try
        {
            var connection = await hub.ConnectAsync();
            if (_toldWhereStored != connection)
            {
                connection.On<string?, string?>("SniStored", (id, _) =>
                {
                    StoredId = id;
                    Changed?.Invoke();
                });
                _toldWhereStored = connection;
            }

            await foreach (var update in connection.StreamAsync<SniComparisonUpdate>("CompareSni", request, token))
            {
                Apply(update);
                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException)
        {
            Error ??= "The comparison was cancelled.";
        }
        catch (HubException e)
        {
            Error = HubErrors.Message(e);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException)
        {
            Error = $"Lost the connection to the FlowTrace server: {e.Message}";
        }
        finally
        {
            IsRunning = false;
            Changed?.Invoke();
        }
    }

    /// <summary>Shows a stored comparison (its permalink), as it was when it ended.</summary>
    public async Task ShowStoredAsync(IReadOnlyList<SniComparisonUpdate> updates, string? storedId, string? error = null)
    {
        ArgumentNullException.ThrowIfNull(updates);
        await CancelAsync();
        StoredId = storedId;
        Results.Clear();
        HostCheck = null;
        Summary = null;
        Error = error;
        foreach (var update in updates)
            Apply(update);
        Changed?.Invoke();
    }

    private void Apply(SniComparisonUpdate update)
    {
        switch (update)
        {
            case SniProbeResult probe: Results.Add(probe); break;
            case SniHostCheckResult check: HostCheck = check; break;
            case SniComparisonSummary summary:
                Summary = summary;
                Error = summary.Failure?.Reason;
                break;
        }
    }

    /// <summary>Stops the running operation; the server cancels it at once.</summary>
    public Task CancelAsync() => _run.CancelAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CancelAsync();
}
