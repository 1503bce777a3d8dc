using FlowTrace.Server;

var app = FlowTraceServer.Build(args);
await app.RunAsync();
