using FlowTrace.Contracts.Events;
using FlowTrace.Contracts.Lab;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FlowTrace.Testing;

/// <summary>What tests and benchmarks ask of a running FlowTrace server: a hub connection and the lab's site URLs.</summary>
public static class ServerClient
{
    /// <summary>A started .NET SignalR client on the server's hub at <paramref name="path"/>, with the app's JSON options.</summary>
    public static async Task<HubConnection> ConnectAsync(Uri baseAddress, string path = "/hubs/trace", Action<IHubConnectionBuilder>? configure = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(baseAddress, path))
            .AddJsonProtocol(o => TraceJson.Configure(o.PayloadSerializerOptions));
        configure?.Invoke(builder);
        var connection = builder.Build();
        await connection.StartAsync();
        return connection;
    }

    /// <summary>The URL of the lab site named <paramref name="site"/>, as <c>/api/lab</c> lists it.</summary>
    public static async Task<string> LabUrlAsync(Uri baseAddress, string site)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        var sites = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<List<LabSite>>(http, "/api/lab", TraceJson.Options);
        return sites!.Single(s => s.Name == site).Url;
    }
}
