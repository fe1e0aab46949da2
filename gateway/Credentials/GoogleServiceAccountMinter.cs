using System.Text.Json;
using PolicyCompiler.Kits;

namespace Gateway.Credentials;

/// <summary>
/// A <c>googleServiceAccount</c> source: the service-account JSON key is read (so a rotated key
/// file is used at the next refresh), a JWT asserting the account is signed with its RS256 key
/// and exchanged at the JSON's <c>token_uri</c> with the JWT bearer grant (RFC 7523 §2.1), as
/// Google's own libraries do.
/// </summary>
internal sealed class GoogleServiceAccountMinter(KitGoogleServiceAccount config, CredentialBroker broker, TokenClient client, TimeProvider time) : CredentialMinter
{
    private static readonly TimeSpan s_assertionLife = TimeSpan.FromHours(1);

    public override async Task<CredentialResult> MintAsync(CancellationToken cancellationToken)
    {
        CredentialResult read = await broker.GetAsync(config.Json, cancellationToken).ConfigureAwait(false);
        if (read.Value?.Token is not { } json)
        {
            return CredentialResult.Fail($"its service-account JSON has no value: {(read.Missing ? "looked in " : "")}{read.Failure}");
        }

        string? email, key, keyId, tokenUri;
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return CredentialResult.Fail("its service-account JSON is not an object");
            }

            email = TokenResponse.String(root, "client_email");
            key = TokenResponse.String(root, "private_key");
            keyId = TokenResponse.String(root, "private_key_id");
            tokenUri = TokenResponse.String(root, "token_uri");
        }
        catch (JsonException)
        {
            return CredentialResult.Fail("its service-account JSON is not valid JSON");
        }

        if (email is null || key is null || tokenUri is null)
        {
            return CredentialResult.Fail("its service-account JSON lacks client_email, private_key or token_uri; download a new key for the account");
        }

        if (!Uri.TryCreate(tokenUri, UriKind.Absolute, out Uri? endpoint) || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            return CredentialResult.Fail("the token_uri of its service-account JSON is not an https URL");
        }

        DateTimeOffset now = time.GetUtcNow();
        string assertion;
        try
        {
            assertion = JwtSigner.Sign(key, keyId, writer =>
            {
                writer.WriteString("iss", email);
                writer.WriteString("scope", string.Join(' ', config.Scopes));
                writer.WriteString("aud", tokenUri);
                writer.WriteNumber("iat", now.ToUnixTimeSeconds());
                writer.WriteNumber("exp", (now + s_assertionLife).ToUnixTimeSeconds());
            });
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return CredentialResult.Fail("the private_key of its service-account JSON is not an RSA key in PEM form");
        }

        var form = new FormUrlEncodedContent(
        [
            new("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            new("assertion", assertion),
        ]);
        (JsonDocument? body, string? failure) = await client.PostAsync(endpoint, form, null, null, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return CredentialResult.Fail(failure!);
        }

        using (body)
        {
            return TokenResponse.Read(body.RootElement) is { } token
                ? Credential.Minted(token.Token, time.GetUtcNow(), token.Lifetime).Result
                : CredentialResult.Fail($"the token endpoint {endpoint.GetLeftPart(UriPartial.Path)} answered without an access_token");
        }
    }
}
