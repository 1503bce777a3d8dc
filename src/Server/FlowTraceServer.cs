using Microsoft.Extensions.DependencyInjection.Extensions;
using FlowTrace.Contracts.Events;
using FlowTrace.Server.Api;
using FlowTrace.Server.Hubs;
using FlowTrace.Server.Operations;
using FlowTrace.Server.Rooms;
using FlowTrace.Server.Storage;
using FlowTrace.Server.Tracing;
using FlowTrace.Tracer.Policy;
using FlowTrace.Tracer.Sni;
using FlowTrace.Tracer.Tracing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace FlowTrace.Server;

/// <summary>Builds the FlowTrace web app; <c>Program</c> runs it, tests start it on a free port.</summary>
public static class FlowTraceServer
{
    /// <summary>Builds the app from command-line arguments and configuration; <paramref name="configureServices"/>
    /// lets tests decorate services.</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddOptions<FlowTraceServerOptions>()
            .Bind(builder.Configuration.GetSection(FlowTraceServerOptions.Section))
            .Validate(o =>
            {
                o.Lab.Validate();
                PortList.Parse(o.AllowedPorts);
                return o.StepModeTimeout > TimeSpan.Zero && o.StepModeTotalTimeout > TimeSpan.Zero && o.MaxTracesPerConnection > 0 &&
                       o.TracesPerMinutePerClient > 0 && o.MaxConcurrentTraces > 0 && o.MaxHubMessageBytes >= 1024;
            }, "FlowTrace options are invalid: limits must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<LabHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LabHost>());
        // The lab is always allowed; its ports are known once it has started, before the first request arrives.
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FlowTraceServerOptions>>().Value;
            var mode = DestinationModeSelector.Choose(options.Mode, sp.GetRequiredService<IConfiguration>()["urls"]);
            return new DestinationPolicy(mode, PortList.Parse(options.AllowedPorts), sp.GetRequiredService<LabHost>().Lab?.Endpoints);
        });
        builder.Services.AddSingleton(sp => new TracerOptions
        {
            DestinationPolicy = sp.GetRequiredService<DestinationPolicy>(),
            // Events leave as JSON (the API and the hub): serialising the warm-up's events compiles that path before a
            // user's first trace.
            WarmUpObserver = e => _ = TraceJson.Serialize(e),
        });
        builder.Services.AddSingleton(sp => new FlowTracer(sp.GetRequiredService<TracerOptions>()));
        // Users' traces go through the metered tracer; the server's own warm-up uses the tracer itself.
        builder.Services.AddSingleton<ITracer, MeteredTracer>();
        builder.Services.AddSingleton<TraceMetrics>();
        builder.Services.AddSingleton(sp => new SniComparer(sp.GetRequiredService<TracerOptions>()));
        builder.Services.AddSingleton<TraceRequestFactory>();
        builder.Services.AddSingleton<StepGates>();
        builder.Services.AddSingleton<LiveTraceRunner>();
        builder.Services.AddSingleton<TraceAdmission>();
        builder.Services.AddSingleton<SniRequestFactory>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WarmUpKey>();
        builder.Services.AddSingleton<SampleTrace>();
        builder.Services.AddHostedService<TracerUpkeep>();
        AddTraceStore(builder);
        builder.Services.AddOptions<RoomOptions>()
            .Bind(builder.Configuration.GetSection(RoomOptions.Section))
            .Validate(o => o.IsValid, "FlowTrace:Rooms is invalid: limits and the idle timeout must be positive.")
            .ValidateOnStart();

        builder.Services.AddProblemDetails();
        var signalR = builder.Services.AddSignalR().AddJsonProtocol(o => TraceJson.ConfigureForHost(o.PayloadSerializerOptions));
        RoomSetup.AddRooms(builder, signalR, OperationsSetup.AddOperations(builder));
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<FlowTraceServerOptions>>((hub, options) => hub.MaximumReceiveMessageSize = options.Value.MaxHubMessageBytes);
        builder.Services.ConfigureHttpJsonOptions(o => TraceJson.ConfigureForHost(o.SerializerOptions));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<SecurityHeaders>();
        app.UseMiddleware<ClientIds>();
        app.UseBlazorFrameworkFiles();
        app.UseStaticFiles();
        var assets = Path.Combine(AppContext.BaseDirectory, "assets");
        if (Directory.Exists(assets))
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(assets), RequestPath = "/assets" });
        app.MapTraceApi();
        app.MapStorageApi();
        app.MapRoomApi();
        app.MapOperations();
        app.MapHub<TraceHub>(TraceHub.Path);
        app.MapHub<RoomHub>(RoomHub.Path);
        app.MapFallbackToFile("index.html");
        return app;
    }

    /// <summary>Traces are kept in PostgreSQL when <c>ConnectionStrings:Traces</c> names one, else in an SQLite file under
    /// <see cref="TraceStoreOptions.DataDirectory"/> (relative to the content root), created on first start.</summary>
    private static void AddTraceStore(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TraceStoreOptions>()
            .Bind(builder.Configuration.GetSection(TraceStoreOptions.Section))
            .Validate(o => o.IsValid, "FlowTrace:Storage is invalid: MaxCount, MaxAge and PruneInterval must be positive and DataDirectory set.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TraceDatabase>(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString("Traces");
            if (!string.IsNullOrWhiteSpace(connectionString))
                return new PostgresTraceDatabase(connectionString);
            var directory = sp.GetRequiredService<IOptions<TraceStoreOptions>>().Value.DataDirectory;
            var root = sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath;
            return new SqliteTraceDatabase(Path.Combine(Path.GetFullPath(directory, root), "traces.db"));
        });
        builder.Services.AddSingleton<ITraceStore>(sp => new SqlTraceStore(sp.GetRequiredService<TraceDatabase>()));
        builder.Services.AddSingleton<TraceRecorder>();
        builder.Services.AddHostedService<TraceStoreUpkeep>();
    }
}
