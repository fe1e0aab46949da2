using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.Tests.Credentials;

/// <summary>What a token endpoint does with an RS256 JWT: checks the signature with the public key it holds, then reads the claims.</summary>
internal static class JwtVerifier
{
    /// <summary>The header and claims of <paramref name="jwt"/> when its RS256 signature verifies with <paramref name="publicKey"/>; null otherwise.</summary>
    public static (JsonElement Header, JsonElement Claims)? Verify(string jwt, RSA publicKey)
    {
        string[] parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        if (!publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return null;
        }

        JsonElement header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
        JsonElement claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
        return header.GetProperty("alg").GetString() == "RS256" ? (header, claims) : null;
    }
}
