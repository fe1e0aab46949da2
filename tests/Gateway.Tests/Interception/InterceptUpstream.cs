using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
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

namespace Gateway.Tests.Interception;

/// <summary>
/// A real TLS upstream on loopback (HTTP/1.1 and HTTP/2) with a certificate from the test's own CA.
/// It records what it received, so a test checks the injected header where it arrived rather than
/// in a response a sandbox could see.
/// </summary>
internal sealed class InterceptUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly StrongBox<int> _accepted;

    private InterceptUpstream(WebApplication app, int port, StrongBox<int> accepted)
    {
        _app = app;
        _accepted = accepted;
        Port = port;
    }

    public int Port { get; }

    /// <summary>TCP connections accepted so far (the gateway's upstream dials).</summary>
    public int Accepted => Volatile.Read(ref _accepted.Value);

    /// <summary>Every request received: path, protocol, Host and headers.</summary>
    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    /// <summary>Bodies POSTed to /record-body, each as "?QUERY BODY".</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

    /// <summary>Completed by the test to let /sse send its second event.</summary>
    public TaskCompletionSource SseRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<InterceptUpstream> StartAsync(InterceptTestCa ca)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        X509Certificate2 certificate = ca.Issue("api.example.test", "other.example.test", "rules.example.test", "basic.example.test", "query.example.test", "command.example.test", "down.example.test", "git.example.test");
        var accepted = new StrongBox<int>();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http1AndHttp2;
            l.Use(next => connection =>
            {
                Interlocked.Increment(ref accepted.Value);
                return next(connection);
            });
            l.UseHttps(certificate);
        }));
        WebApplication app = builder.Build();
        InterceptUpstream? self = null;
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues> header in context.Request.Headers)
            {
                headers[header.Key] = header.Value.ToString();
            }

            self!.Seen.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Protocol, context.Request.Host.ToString(), headers));
            await next(context);
        });
        app.MapGet("/redirect", (HttpContext c) => Results.Redirect($"https://other.example.test:{c.Request.Host.Port}/landed"));
        app.MapGet("/echo-auth", (HttpContext c) =>
        {
            // An upstream that reflects the credential: the gateway must not let it reach the sandbox.
            c.Response.Headers["X-Echo"] = c.Request.Headers.Authorization.ToString();
            return "echoed";
        });
        app.MapGet("/echo-reason", (HttpContext c) =>
        {
            // A 401 whose reason phrase names the key it refused, as some APIs answer.
            c.Response.StatusCode = StatusCodes.Status401Unauthorized;
            c.Features.GetRequiredFeature<IHttpResponseFeature>().ReasonPhrase = "Invalid key " + BareCredential(c);
            return Task.CompletedTask;
        });
        app.MapGet("/echo-name", (HttpContext c) =>
        {
            // The credential as a header name (HTTP/2 lower-cases it on the way).
            c.Response.Headers[BareCredential(c)] = "1";
            return "named";
        });
        app.MapPost("/sink", async (HttpContext c) =>
        {
            // Reads the whole body, so the gateway relays every byte of an upload.
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int n;
            while ((n = await c.Request.Body.ReadAsync(buffer)) > 0)
            {
                total += n;
            }

            return "read " + total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        app.MapPost("/record-body", async (HttpContext c) =>
        {
            // Keeps the body as received, so a test checks what the upstream got, not what came back.
            using var reader = new StreamReader(c.Request.Body);
            string body = await reader.ReadToEndAsync();
            self!.Bodies.Enqueue(c.Request.QueryString + " " + body);
            return "recorded " + body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        app.MapGet("/chunked/{count:int}", async (HttpContext c, int count) =>
        {
            // No Content-Length: chunked under HTTP/1.1, DATA frames under HTTP/2.
            byte[] chunk = new byte[8 * 1024];
            Array.Fill(chunk, (byte)'c');
            for (int sent = 0; sent < count; sent += chunk.Length)
            {
                await c.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, count - sent)));
                await c.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/echo-body", async (HttpContext c) =>
        {
            // Reflects the credentials in the body, a few bytes per flush, so that a secret is
            // split across reads; says which Accept-Encoding arrived.
            string echoed = $"accept-encoding={c.Request.Headers.AcceptEncoding}; auth={c.Request.Headers.Authorization}; token={c.Request.Headers["X-Token"]}; end";
            for (int i = 0; i < echoed.Length; i += 7)
            {
                await c.Response.WriteAsync(echoed.Substring(i, Math.Min(7, echoed.Length - i)));
                await c.Response.Body.FlushAsync();
            }
        });
        app.MapGet("/echo-gzip", async (HttpContext c) =>
        {
            // Compresses although identity was asked for (servers may): the gateway must decode to scrub.
            using var packed = new MemoryStream();
            await using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"gzip auth={c.Request.Headers.Authorization}; end"));
            }

            c.Response.Headers.ContentEncoding = "gzip";
            await c.Response.Body.WriteAsync(packed.ToArray());
        });
        app.MapGet("/echo-zstd", async (HttpContext c) =>
        {
            c.Response.Headers.ContentEncoding = "zstd";
            await c.Response.WriteAsync($"not really zstd auth={c.Request.Headers.Authorization}");
        });
        app.MapGet("/sse", async (HttpContext c) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.WriteAsync("data: one\n\n");
            await c.Response.Body.FlushAsync();
            await self!.SseRelease.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await c.Response.WriteAsync("data: two\n\n");
        });
        app.Map("/ws", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest)
            {
                c.Response.StatusCode = 400;
                return;
            }

            using WebSocket socket = await c.WebSockets.AcceptWebSocketAsync();
            byte[] buffer = new byte[4096];
            for (int i = 0; i < 100; i++)
            {
                WebSocketReceiveResult received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, CancellationToken.None);
            }
        });
        app.MapFallback((HttpContext c) => $"ok {c.Request.Method} {c.Request.Path} {c.Request.Protocol}");
        await app.StartAsync();
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single()).Port;
        self = new InterceptUpstream(app, port, accepted);
        return self;
    }

    // The credential without its scheme ("Bearer X" → "X").
    private static string BareCredential(HttpContext c)
    {
        string value = c.Request.Headers.Authorization.ToString();
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? value : value[(space + 1)..];
    }

    /// <summary>The requests received for <paramref name="path"/>.</summary>
    public List<SeenRequest> For(string path) => [.. Seen.Where(s => s.Path == path)];

    public ValueTask DisposeAsync()
    {
        SseRelease.TrySetResult();
        return _app.DisposeAsync();
    }
}

/// <summary>One request as the upstream received it.</summary>
internal sealed record SeenRequest(string Method, string Path, string Protocol, string Host, Dictionary<string, string> Headers);
