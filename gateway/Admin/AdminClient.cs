using System.Net.Http.Json;
using System.Net.Sockets;
using Gateway.Sandboxes;

namespace Gateway.Admin;

/// <summary>Talks to a running daemon over its admin socket. No daemon is not an error: the state directory is the truth either way.</summary>
internal static class AdminClient
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Asks a running daemon to reload the policy now. Returns null when no daemon listens
    /// (no socket, or a stale one), else the daemon's answer.
    /// </summary>
    public static Task<AdminReloadResult?> TryReloadAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            using HttpResponseMessage response = await client.PostAsync(AdminApi.ReloadPath, content: null, token).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminReloadResult, token).ConfigureAwait(false);
        });

    /// <summary>The daemon's sandboxes, or null when no daemon listens.</summary>
    public static Task<List<SandboxRow>?> TryListSandboxesAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, (client, token) =>
            client.GetFromJsonAsync(AdminApi.SandboxesPath, SandboxJsonContext.Default.ListSandboxRow, token));

    private static async Task<T?> TrySendAsync<T>(
        UnixDomainSocketEndPoint endpoint, CancellationToken cancellation, Func<HttpClient, CancellationToken, Task<T?>> send)
        where T : class
    {
        if (!File.Exists(endpoint.ToString()))
        {
            return null;
        }

        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endpoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("http://gateway-admin"), Timeout = s_timeout };
        try
        {
            return await send(client, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable })
        {
            return null; // a socket file left by a daemon that is gone
        }
    }
}
