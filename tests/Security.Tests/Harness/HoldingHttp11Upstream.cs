using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Security.Tests.Harness;

/// <summary>
/// A real TLS upstream on loopback that speaks HTTP/1.1 only (so every concurrent request needs a
/// socket of its own), counts the connections it accepts, and holds every request until released,
/// so a test sees how many sockets a burst of concurrent requests made.
/// </summary>
internal sealed class HoldingHttp11Upstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _accepted;
    private int _held;
    private int _answered;

    private HoldingHttp11Upstream(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>TCP connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Requests waiting for <see cref="Release"/> now.</summary>
    public int Held => Volatile.Read(ref _held);

    public static async Task<HoldingHttp11Upstream> StartAsync(X509Certificate2 certificate)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        HoldingHttp11Upstream? self = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http1;
            l.Use(next => connection =>
            {
                Interlocked.Increment(ref self!._accepted);
                return next(connection);
            });
            l.UseHttps(certificate);
        }));
        WebApplication app = builder.Build();
        self = new HoldingHttp11Upstream(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref self._held);
            try
            {
                await self._release.Task.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref self._held);
            }

            await context.Response.WriteAsync("held " + context.Request.Path);
            Interlocked.Increment(ref self._answered);
        });
        await app.StartAsync();
        self.Port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        return self;
    }

    /// <summary>Requests answered so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>Lets every held request (and every later one) answer.</summary>
    public void Release() => _release.TrySetResult();

    public ValueTask DisposeAsync()
    {
        Release();
        return _app.DisposeAsync();
    }
}
