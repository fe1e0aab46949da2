using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Gateway.Audit;
using Gateway.Interception.Certificates;
using Gateway.Sandboxes;

namespace Gateway.Admin;

/// <summary>Talks to a running daemon over its admin socket. No daemon is not an error: the state directory is the truth either way.</summary>
internal static partial class AdminClient
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

    /// <summary>
    /// Asks a running daemon to rotate the interception CA, so its leaf cache switches at once.
    /// Null when no daemon listens: the caller rotates the files itself.
    /// </summary>
    public static Task<AdminCaRotation?> TryRotateCaAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            using HttpResponseMessage response = await client.PostAsync(AdminApi.CaRotatePath, content: null, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new Interception.Certificates.CertificateAuthorityException(
                    "the running gateway predates `ca rotate`; stop it, run `gateway ca rotate`, and start it again");
            }

            if (!response.IsSuccessStatusCode)
            {
                AdminErrors? errors = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminErrors, token).ConfigureAwait(false);
                throw new Interception.Certificates.CertificateAuthorityException(
                    "the running gateway could not rotate the CA: " + string.Join("; ", errors?.Errors ?? [response.ReasonPhrase ?? "no reason given"]));
            }

            return await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminCaRotation, token).ConfigureAwait(false);
        });

    /// <summary>
    /// <c>policy explain</c> as the running daemon decides it; null when no daemon listens or it
    /// predates the endpoint. A sandbox it does not know is an error with its message.
    /// </summary>
    public static Task<Cli.Policy.ExplainResult?> TryExplainAsync(
        UnixDomainSocketEndPoint endpoint, string host, string canonical, int port, string sandbox, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            string path = string.Create(CultureInfo.InvariantCulture,
                $"{AdminExplain.Path}?host={Uri.EscapeDataString(host)}&canonical={Uri.EscapeDataString(canonical)}&port={port}&sandbox={Uri.EscapeDataString(sandbox)}");
            using HttpResponseMessage response = await client.GetAsync(path, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                AdminErrors? errors = await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.AdminErrors, token).ConfigureAwait(false);
                throw new Cli.CliException(string.Join("; ", errors?.Errors ?? [response.ReasonPhrase ?? "the running gateway refused the question"]));
            }

            List<Cli.Policy.ExplainResult>? answer = await response.Content.ReadFromJsonAsync(Cli.CliJsonContext.Default.ListExplainResult, token).ConfigureAwait(false);
            return answer is [{ } one] ? one : null;
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

        using HttpClient client = CreateAdminClient(endpoint, s_timeout);
        try
        {
            return await send(client, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable })
        {
            return null; // a socket file left by a daemon that is gone
        }
    }

    /// <summary>
    /// The running daemon's <c>policy log</c> rows. Null when no daemon listens, or when it
    /// does not serve the audit view: the audit files are the truth then.
    /// </summary>
    public static Task<List<AuditLogRow>?> TryGetAuditAggregateAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        TrySendAsync(endpoint, cancellation, async (client, token) =>
        {
            using HttpResponseMessage response = await client.GetAsync(AdminApi.AuditAggregatePath, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync(AdminJsonContext.Default.ListAuditLogRow, token).ConfigureAwait(false);
        });

    /// <summary>The running daemon's live audit events; null when no daemon listens or it does not serve them.</summary>
    public static async Task<AdminAuditStream?> TryFollowAuditAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        await TryOpenStreamAsync(endpoint, AdminApi.AuditFollowPath, cancellation).ConfigureAwait(false) is { } open
            ? new AdminAuditStream(open.Client, open.Response, open.Body)
            : null;

    /// <summary>The running daemon's pending approvals, those waiting now and then each new one; null when no daemon listens or it does not serve them.</summary>
    public static async Task<AdminPendingStream?> TryFollowPendingAsync(UnixDomainSocketEndPoint endpoint, CancellationToken cancellation) =>
        await TryOpenStreamAsync(endpoint, AdminApprovals.FollowPath, cancellation).ConfigureAwait(false) is { } open
            ? new AdminPendingStream(open.Client, open.Response, open.Body)
            : null;

    // A response read as it streams, with no timeout; the caller owns all three on success.
    private static async Task<(HttpClient Client, HttpResponseMessage Response, Stream Body)?> TryOpenStreamAsync(
        UnixDomainSocketEndPoint endpoint, string path, CancellationToken cancellation)
    {
        if (!File.Exists(endpoint.ToString()))
        {
            return null;
        }

        HttpClient? client = CreateAdminClient(endpoint, Timeout.InfiniteTimeSpan);
        HttpResponseMessage? response = null;
        try
        {
            response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            Stream body = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            (HttpClient, HttpResponseMessage, Stream) open = (client, response, body);
            response = null;
            client = null;
            return open;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.AddressNotAvailable })
        {
            return null;
        }
        finally
        {
            response?.Dispose();
            client?.Dispose();
        }
    }

    private static HttpClient CreateAdminClient(UnixDomainSocketEndPoint endpoint, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
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
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri("http://gateway-admin"), Timeout = timeout };
    }
}
