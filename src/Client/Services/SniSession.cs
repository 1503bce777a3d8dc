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

    /// <summary>Runs a comparison, replacing the previous one.</summary>
    public async Task CompareAsync(SniComparisonMessage request)
    {
        await CancelAsync();
        Results.Clear();
        HostCheck = null;
        Summary = null;
        Error = null;
        IsRunning = true;
        Changed?.Invoke();
        var token = _run.Begin();
        try
        {
            var connection = await hub.ConnectAsync();
            await foreach (var update in connection.StreamAsync<SniComparisonUpdate>("CompareSni", request, token))
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

                Changed?.Invoke();
            }
        }
        catch (OperationCanceledException)
        {
            Error ??= "The comparison was cancelled.";
        }
        catch (HubException e)
        {
            var message = e.Message;
            var marker = "HubException: ";
            Error = message.Contains(marker, StringComparison.Ordinal) ? message[(message.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..] : message;
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

    /// <summary>Stops the running operation; the server cancels it at once.</summary>
    public Task CancelAsync() => _run.CancelAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CancelAsync();
}
