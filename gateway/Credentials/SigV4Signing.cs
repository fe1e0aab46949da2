using Microsoft.AspNetCore.Http;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// One intercepted request's re-signing, prepared before it is forwarded: its scope and payload
/// hash are settled (the body read and hashed when no hash is declared) or it is refused with a
/// status and a message saying why and what to do. The transformer then signs the upstream
/// request with <see cref="Sign"/>; <see cref="Dispose"/> returns a buffered body.
/// </summary>
internal sealed class SigV4Signing : IDisposable
{
    private readonly SigV4Resigner? _resigner;
    private readonly AwsKeyPair? _keys;
    private readonly string? _host;
    private readonly SigV4Scope _scope;
    private readonly string? _sentAuthorization;
    private readonly string? _payloadHash;
    private readonly SigV4Body? _body;

    private SigV4Signing(int status, string refusal)
    {
        Status = status;
        Refusal = refusal;
    }

    private SigV4Signing(SigV4Resigner resigner, AwsKeyPair keys, string host, SigV4Scope scope, string? sentAuthorization, string payloadHash, SigV4Body? body)
    {
        _resigner = resigner;
        _keys = keys;
        _host = host;
        _scope = scope;
        _sentAuthorization = sentAuthorization;
        _payloadHash = payloadHash;
        _body = body;
    }

    /// <summary>For a refusal: the status the client gets (400, 413, 502); 0 when the request may go.</summary>
    public int Status { get; }

    /// <summary>For a refusal: the body the client gets.</summary>
    public string? Refusal { get; }

    /// <summary>
    /// Settles how <paramref name="request"/> to <paramref name="host"/>:<paramref name="port"/> is re-signed
    /// with <paramref name="keys"/> as <paramref name="auth"/> says.
    /// </summary>
    public static async ValueTask<SigV4Signing> PrepareAsync(
        HttpRequest request, string host, int port, KitServiceAuth auth, AwsKeyPair keys, SigV4Resigner resigner, CancellationToken cancellationToken)
    {
        SigV4Payload payload = SigV4Payload.Of(request);
        if (payload.Kind is SigV4PayloadKind.Presigned or SigV4PayloadKind.SignedStream or SigV4PayloadKind.Malformed)
        {
            return new SigV4Signing(StatusCodes.Status400BadRequest, SigV4Payload.Refusal(payload.Kind, host));
        }

        string? sent = request.Headers.Authorization.ToString() is { Length: > 0 } value ? value : null;
        if (!SigV4Scope.TryResolve(auth.Region, auth.Service, host, sent, out SigV4Scope scope))
        {
            return new SigV4Signing(StatusCodes.Status502BadGateway,
                $"The egress gateway cannot tell the AWS region and service to sign the request to {host} with (credential \"{auth.Source}\"): the host is not an AWS endpoint name and the request carries no SigV4 signature to take them from. Set region and service under network.serviceAuth.{auth.Source} in the kit.\n");
        }

        SigV4Body? body = null;
        string hash = payload.Hash ?? "";
        if (payload.Kind == SigV4PayloadKind.HashBody)
        {
            body = await SigV4Body.ReadAsync(request, SigV4Body.MaxLength, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return new SigV4Signing(StatusCodes.Status413PayloadTooLarge, SigV4Body.TooLarge(host, SigV4Body.MaxLength));
            }

            hash = body.Hash;
        }

        // The Host the upstream receives: the name alone on 443, as HttpClient would send it.
        string hostHeader = port == 443
            ? (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host)
            : (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]:" : host + ":") + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new SigV4Signing(resigner, keys, hostHeader, scope, sent, hash, body);
    }

    /// <summary>Re-signs the upstream request (its URI and headers final).</summary>
    public void Sign(HttpRequestMessage message) =>
        _resigner!.Sign(message, _host!, _scope, _sentAuthorization, _payloadHash!, _keys!.AccessKeyId, _keys.SecretAccessKey, _keys.SessionToken);

    public void Dispose() => _body?.Dispose();
}
