using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Metrics;
using Microsoft.Extensions.Logging;

namespace Gateway.Approvals;

/// <summary>
/// Tells <c>policy.ask.webhook</c> of each new pending approval: a JSON POST signed with
/// <c>X-Gateway-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c> (the GitHub webhook form, which
/// receivers already know how to check). Sent on the thread pool with a timeout and never
/// awaited by a decision: a slow, failing or absent receiver changes nothing for the held
/// request, it is logged and counted in <c>gateway_errors_total{kind="approval_webhook"}</c>.
/// </summary>
internal sealed partial class ApprovalWebhook : IDisposable
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-Gateway-Signature";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    private readonly AskConfig _config;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<ApprovalWebhook> _logger;
    private readonly HttpClient? _client;

    public ApprovalWebhook(GatewayConfig config, GatewayMetrics metrics, ILogger<ApprovalWebhook> logger)
    {
        _config = config.Policy.Ask;
        _metrics = metrics;
        _logger = logger;
        if (_config.Webhook is not null)
        {
            // The operator's own endpoint, dialled directly like token endpoints: never through a
            // sandbox's route, never following a redirect somewhere else.
            _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = s_timeout })
            {
                Timeout = s_timeout,
            };
        }
    }

    /// <summary>Queues the POST for <paramref name="pending"/> and returns at once.</summary>
    public void Notify(PendingApproval pending)
    {
        if (_client is not null)
        {
            ThreadPool.QueueUserWorkItem(static state => _ = state.Self.SendAsync(state.Pending), (Self: this, Pending: pending), preferLocal: false);
        }
    }

    /// <summary>The header value for <paramref name="body"/> signed with <paramref name="key"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> body, ReadOnlySpan<byte> key) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));

    public void Dispose() => _client?.Dispose();

    /// <summary>Posts now; every failure ends here, logged and counted. Returns true when the receiver answered 2xx.</summary>
    internal async Task<bool> SendAsync(PendingApproval pending)
    {
        try
        {
            byte[] key = await ReadKeyAsync().ConfigureAwait(false);
            byte[] body = JsonSerializer.SerializeToUtf8Bytes(ApprovalNotice.Pending(pending), ApprovalJsonContext.Default.ApprovalNotice);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, _config.Webhook) { Content = content };
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(body, key));
            using HttpResponseMessage response = await _client!.SendAsync(request).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            Fail(pending, $"answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UnauthorizedAccessException or WebException)
        {
            Fail(pending, e is TaskCanceledException ? $"no answer within {s_timeout.TotalSeconds:0}s" : e.Message);
        }

        return false;
    }

    private async Task<byte[]> ReadKeyAsync()
    {
        if (_config.WebhookSecretFile is { } file)
        {
            // Read at each POST: a rotated secret is used at once, without a restart.
            string text = await File.ReadAllTextAsync(file).ConfigureAwait(false);
            return Encoding.UTF8.GetBytes(text.Trim());
        }

        return Encoding.UTF8.GetBytes(_config.WebhookSecret ?? string.Empty);
    }

    private void Fail(PendingApproval pending, string why)
    {
        _metrics.RecordError(ErrorKind.ApprovalWebhook);
        Log.Failed(_logger, pending.Id, _config.Webhook!.GetLeftPart(UriPartial.Path), why);
    }

    private static partial class Log
    {
        [LoggerMessage(3300, LogLevel.Warning, "policy.ask.webhook {Webhook} was not told of pending approval {Id}: {Why}; the request waits regardless")]
        public static partial void Failed(ILogger logger, string id, string webhook, string why);
    }
}
