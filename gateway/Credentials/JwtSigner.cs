using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Credentials;

/// <summary>
/// Compact RS256 JSON Web Tokens (RFC 7515, RFC 7519) for the JWT bearer grant (RFC 7523) of
/// Google service accounts and the app JWT of GitHub Apps: header and claims as JSON, base64url,
/// signed with RSASSA-PKCS1-v1_5 over SHA-256 by the key the source holds.
/// </summary>
internal static class JwtSigner
{
    /// <summary>Signs <paramref name="writeClaims"/> (which writes the members of the claims object) with <paramref name="privateKeyPem"/>.</summary>
    public static string Sign(string privateKeyPem, string? keyId, Action<Utf8JsonWriter> writeClaims)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        using var header = new MemoryStream();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", "RS256");
            writer.WriteString("typ", "JWT");
            if (keyId is not null)
            {
                writer.WriteString("kid", keyId);
            }

            writer.WriteEndObject();
        }

        using var claims = new MemoryStream();
        using (var writer = new Utf8JsonWriter(claims))
        {
            writer.WriteStartObject();
            writeClaims(writer);
            writer.WriteEndObject();
        }

        string signingInput = Base64Url.EncodeToString(header.ToArray()) + "." + Base64Url.EncodeToString(claims.ToArray());
        byte[] signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
