using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Gateway.Listeners.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Listeners.Transport;

/// <summary>
/// Kestrel's own HTTP/1.1 and HTTP/2 stacks over the gateway's transport, as the L7 paths use them
/// (absolute-form, transparent HTTP, intercepted TLS): request bodies read through the input,
/// responses larger than a socket buffer written through the output with back-pressure.
/// </summary>
public sealed class KestrelOverGatewayTransportTests : IAsyncLifetime
{
    private const int BodySize = 1024 * 1024;
    private WebApplication _app = null!;
    private int _http1Port;
    private int _h2cPort;

    public async Task InitializeAsync()
    {
        var transport = new GatewayTransportFactory();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets();
        builder.Services.AddSingleton<IConnectionListenerFactory>(transport);
        IPEndPoint http1 = transport.Claim(new IPEndPoint(IPAddress.Loopback, 0));
        IPEndPoint h2c = transport.Claim(new IPEndPoint(IPAddress.Loopback, 0));
        ListenOptions? http1Options = null;
        ListenOptions? h2cOptions = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(http1, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.Use(MarkTransport);
                http1Options = listen;
            });
            kestrel.Listen(h2c, listen =>
            {
                listen.Protocols = HttpProtocols.Http2; // prior knowledge (h2c)
                listen.Use(MarkTransport);
                h2cOptions = listen;
            });
        });
        _app = builder.Build();
        _app.Run(ServeAsync);
        await _app.StartAsync();
        _http1Port = ((IPEndPoint)http1Options!.EndPoint).Port;
        _h2cPort = ((IPEndPoint)h2cOptions!.EndPoint).Port;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task OneMiBUploadAndDownload_AreByteExactOverTheGatewayTransport(int major)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var client = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        string origin = $"http://127.0.0.1:{(major == 1 ? _http1Port : _h2cPort)}";
        byte[] body = new byte[BodySize];
        new Random(7).NextBytes(body);
        using var upload = new HttpRequestMessage(HttpMethod.Post, origin + "/hash")
        {
            Content = new ByteArrayContent(body),
            Version = new Version(major, 0),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        upload.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var download = new HttpRequestMessage(HttpMethod.Get, origin + "/bytes")
        {
            Version = new Version(major, 0),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using HttpResponseMessage uploaded = await client.SendAsync(upload, deadline.Token);
        using HttpResponseMessage downloaded = await client.SendAsync(download, deadline.Token);

        Assert.Equal(major, uploaded.Version.Major);
        Assert.Equal(nameof(GatewayConnection), uploaded.Headers.GetValues("X-Transport").Single());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(body)), await uploaded.Content.ReadAsStringAsync(deadline.Token));
        Assert.Equal(Pattern(), await downloaded.Content.ReadAsByteArrayAsync(deadline.Token));
    }

    [Fact]
    public async Task Http1_KeepAlive_ServesRequestsOneAfterAnotherOnOneConnection()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler);
        for (int i = 0; i < 5; i++)
        {
            string text = await client.GetStringAsync($"http://127.0.0.1:{_http1Port}/", deadline.Token);
            Assert.Equal("HTTP/1.1", text);
        }
    }

    private static byte[] Pattern()
    {
        byte[] bytes = new byte[BodySize];
        new Random(11).NextBytes(bytes);
        return bytes;
    }

    private static ConnectionDelegate MarkTransport(ConnectionDelegate next) => connection =>
    {
        connection.Items["transport"] = connection.GetType().Name;
        return next(connection);
    };

    private static async Task ServeAsync(HttpContext context)
    {
        context.Response.Headers["X-Transport"] = context.Features.Get<IConnectionItemsFeature>()!.Items["transport"] as string;
        if (context.Request.Path == "/hash")
        {
            byte[] hash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
            await context.Response.WriteAsync(Convert.ToHexString(hash), context.RequestAborted);
            return;
        }

        if (context.Request.Path == "/bytes")
        {
            await context.Response.Body.WriteAsync(Pattern(), context.RequestAborted);
            return;
        }

        await context.Response.WriteAsync(context.Request.Protocol, context.RequestAborted);
    }
}
