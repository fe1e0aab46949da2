using System.Security.Cryptography;
using System.Text;
using Gateway.Interception.Dlp;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>
/// The measured DLP table (issue 21 point 3): secrets in every place and encoding, split across reads and the
/// window edge; benign look-alikes a developer sends every day; and secrets DLP is documented not to catch.
/// Tokens are assembled here from a fixed alphabet, shaped like the real ones, valid nowhere.
/// </summary>
internal static class DlpCases
{
    /// <summary>The held credential value (as an env source would hold it).</summary>
    public const string Credential = "p@ss/w+rd=Kq8vZ3xW9pL4mN7r";

    /// <summary>The sandbox sending the requests.</summary>
    public const string Requester = "dev";

    /// <summary>Another sandbox, whose placeholder the requester must not send.</summary>
    public const string OtherSandbox = "other";

    /// <summary>The proxy-managed variable both sandboxes have.</summary>
    public const string Variable = "GITHUB_TOKEN";

    private const string Alphabet = "Q7xK2m4PZ9r3T5vWb8NcY6dLf1GhJ0sE";

    public static string Aws => "AKIA" + Upper(16);

    public static string GithubClassic => "ghp_" + Mixed(36);

    public static string GithubFineGrained => "github_pat_" + Mixed(22) + "_" + Mixed(59);

    public static string Gitlab => "glpat-" + Mixed(20);

    public static string Slack => "xoxb-" + "2840193857261-4719203857462-" + Mixed(24);

    public static string Stripe => "sk_live_" + Mixed(24);

    public static string Pem => "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + Mixed(60) + "\n-----END RSA PRIVATE KEY-----\n";

    public static string Jwt => B64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + B64Url("{\"sub\":\"1234567890\",\"iat\":1516239022}") + "." + Mixed(43);

    public static string ServiceAccount =>
        "{\"type\": \"service_account\", \"project_id\": \"demo\", \"private_key_id\": \"" + Hex(20) + "\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkq" + Mixed(40) + "\\n-----END PRIVATE KEY-----\\n\", \"client_email\": \"a@demo.iam.gserviceaccount.com\"}";

    /// <summary>Every row. <paramref name="otherPlaceholder"/> and <paramref name="ownPlaceholder"/> come from the test's registry.</summary>
    public static List<DlpCase> All(string otherPlaceholder, string ownPlaceholder)
    {
        byte[] secret = Encoding.UTF8.GetBytes(Credential);
        var cases = new List<DlpCase>();
        void Hit(string name, string text, DlpPattern pattern, params DlpPlace[] places)
        {
            foreach (DlpPlace place in places)
            {
                cases.Add(new DlpCase(name, text, place, pattern));
            }
        }

        void Benign(string name, string text, params DlpPlace[] places)
        {
            foreach (DlpPlace place in places)
            {
                cases.Add(new DlpCase(name, text, place, DlpPattern.None));
            }
        }

        void Miss(string name, string text, DlpPlace place) => cases.Add(new DlpCase(name, text, place, DlpPattern.None, KnownMiss: true));

        // (a) the held credential and its encodings.
        Hit("credential raw", "token=" + Credential, DlpPattern.Credential, DlpPlace.Url, DlpPlace.Header, DlpPlace.Authorization, DlpPlace.Body, DlpPlace.BodyTrickle, DlpPlace.BodyWindowEdge, DlpPlace.BodyGzip, DlpPlace.BodyDeflate, DlpPlace.BodyBrotli);
        Hit("credential URL-encoded", "q=" + Uri.EscapeDataString(Credential), DlpPattern.Credential, DlpPlace.Url, DlpPlace.Body);
        Hit("credential base64 (Basic user:secret)", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + Credential)), DlpPattern.Credential, DlpPlace.Authorization, DlpPlace.Header);
        Hit("credential base64 at offset 0", Convert.ToBase64String(secret), DlpPattern.Credential, DlpPlace.Body, DlpPlace.BodyTrickle);
        Hit("credential base64 at offset 1", Convert.ToBase64String([.. "{"u8, .. secret, .. "}"u8]), DlpPattern.Credential, DlpPlace.Body);
        Hit("credential base64 at offset 2", Convert.ToBase64String([.. "k="u8, .. secret]), DlpPattern.Credential, DlpPlace.Body, DlpPlace.BodyGzip);
        Hit("credential base64url in a JSON document", B64Url("{\"password\":\"" + Credential + "\"}"), DlpPattern.Credential, DlpPlace.Url, DlpPlace.Body);
        Hit("credential hex lower", Convert.ToHexStringLower(secret), DlpPattern.Credential, DlpPlace.Body, DlpPlace.Url);
        Hit("credential hex upper", Convert.ToHexString(secret), DlpPattern.Credential, DlpPlace.Header);

        // (b) another sandbox's placeholder.
        Hit("other sandbox's placeholder", "GITHUB_TOKEN=" + otherPlaceholder, DlpPattern.Placeholder, DlpPlace.Url, DlpPlace.Header, DlpPlace.Body, DlpPlace.BodyTrickle);

        // (c) shapes.
        Hit("AWS access key id", "aws_access_key_id = " + Aws, DlpPattern.AwsAccessKeyId, DlpPlace.Body, DlpPlace.BodyTrickle, DlpPlace.Url, DlpPlace.Header, DlpPlace.BodyBrotli);
        Hit("AWS temporary key id", "\"AccessKeyId\": \"ASIA" + Upper(16) + "\"", DlpPattern.AwsAccessKeyId, DlpPlace.Body);
        Hit("GitHub classic token", "token " + GithubClassic, DlpPattern.GithubToken, DlpPlace.Body, DlpPlace.Header, DlpPlace.Authorization, DlpPlace.BodyWindowEdge, DlpPlace.BodyDeflate);
        Hit("GitHub fine-grained token", GithubFineGrained, DlpPattern.GithubToken, DlpPlace.Body, DlpPlace.BodyTrickle);
        Hit("GitLab token", "PRIVATE-TOKEN: " + Gitlab, DlpPattern.GitlabToken, DlpPlace.Body, DlpPlace.Url);
        Hit("Slack bot token", "{\"token\":\"" + Slack + "\"}", DlpPattern.SlackToken, DlpPlace.Body, DlpPlace.BodyGzip);
        Hit("Stripe live key", "stripe.api_key = '" + Stripe + "'", DlpPattern.StripeKey, DlpPlace.Body, DlpPlace.Header);
        Hit("PEM RSA private key", Pem, DlpPattern.PrivateKey, DlpPlace.Body, DlpPlace.BodyTrickle, DlpPlace.BodyWindowEdge);
        Hit("OpenSSH private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n", DlpPattern.PrivateKey, DlpPlace.Body);
        Hit("PKCS#8 private key", "-----BEGIN PRIVATE KEY-----\nMIIE\n", DlpPattern.PrivateKey, DlpPlace.BodyGzip);
        Hit("JWT in a body", "{\"id_token\":\"" + Jwt + "\"}", DlpPattern.Jwt, DlpPlace.Body, DlpPlace.BodyTrickle, DlpPlace.Url, DlpPlace.Header);
        Hit("Google service-account key file", ServiceAccount, DlpPattern.GoogleServiceAccount, DlpPlace.Body, DlpPlace.BodyTrickle, DlpPlace.BodyBrotli);
        Hit("service-account key inside a JSON string", "{\"file\":\"" + ServiceAccount.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}", DlpPattern.GoogleServiceAccount, DlpPlace.Body);

        // Benign look-alikes: ordinary developer traffic must pass.
        Benign("AWS documented example key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", DlpPlace.Body, DlpPlace.Url, DlpPlace.Header);
        Benign("AWS key id inside a longer base64 run", "dGhpcyBpcyBhAKIA" + Upper(16) + "Zm9vYmFy", DlpPlace.Body);
        Benign("SigV4 Authorization with a temporary key id", "AWS4-HMAC-SHA256 Credential=ASIA" + Upper(16) + "/20261205/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + Hex(32), DlpPlace.Authorization);
        Benign("bearer JWT in Authorization", "Bearer " + Jwt, DlpPlace.Authorization);
        Benign("UUIDs", "{\"id\":\"" + Guid.CreateVersion7() + "\",\"parent\":\"550e8400-e29b-41d4-a716-446655440000\"}", DlpPlace.Body, DlpPlace.Url);
        Benign("SHA-256 and git commit ids", "sha256:" + Hex(32) + " commit " + Hex(20), DlpPlace.Body, DlpPlace.Header);
        Benign("npm integrity (sha512 base64)", "\"integrity\": \"sha512-" + Convert.ToBase64String(SHA512.HashData("left-pad"u8)) + "\"", DlpPlace.Body);
        Benign("base64 PNG image (64 KiB)", "{\"image\":\"data:image/png;base64," + Convert.ToBase64String(Random(48 * 1024)) + "\"}", DlpPlace.Body, DlpPlace.BodyGzip);
        Benign("lorem ipsum", Lorem(), DlpPlace.Body, DlpPlace.BodyTrickle, DlpPlace.BodyBrotli);
        Benign("package.json", "{\"name\":\"demo\",\"version\":\"1.0.0\",\"scripts\":{\"test\":\"jest\"},\"dependencies\":{\"express\":\"^4.19.2\"}}", DlpPlace.Body);
        Benign("too-short token look-alikes", "ghp_abc glpat-xyz sk_live_ xoxb-abc github_pat_short", DlpPlace.Body, DlpPlace.Url);
        Benign("Stripe test key", "sk_test_" + Mixed(24), DlpPlace.Body);
        Benign("slack-like word without digits", "xoxb-this-is-not-a-real-token-at-all", DlpPlace.Body);
        Benign("certificate and public key PEM", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PUBLIC KEY-----\nMFkw\n", DlpPlace.Body);
        Benign("private_key_id and an empty private_key", "{\"private_key_id\": \"" + Hex(20) + "\", \"private_key\": \"\"}", DlpPlace.Body);
        Benign("base64 JSON that is not a JWT", B64Url("{\"a\":1}") + " and eyJhbGciOi without a payload", DlpPlace.Body);
        Benign("own placeholder", "Authorization: token " + ownPlaceholder, DlpPlace.Body, DlpPlace.Header);
        Benign("unregistered placeholder-shaped text", "gw-placeholder-" + Hex(16), DlpPlace.Body);
        Benign("docker image digest", "ghcr.io/acme/app@sha256:" + Hex(32), DlpPlace.Url);

        // Documented misses (SECURITY.md): shapes and encodings DLP does not decode.
        Miss("token with JSON \\u escapes", "\\u0067hp_" + Mixed(36), DlpPlace.Body);
        Miss("credential in UTF-16", Encoding.Latin1.GetString(Encoding.Unicode.GetBytes(Credential)), DlpPlace.Body);
        Miss("credential base64 twice", Convert.ToBase64String(Encoding.ASCII.GetBytes(Convert.ToBase64String(secret))), DlpPlace.Body);
        Miss("credential reversed", new string(Credential.Reverse().ToArray()), DlpPlace.Body);
        Miss("AWS secret access key alone", "aws_secret_access_key = " + Mixed(40), DlpPlace.Body);
        return cases;
    }

    private static string Mixed(int length) => Pick(length, Alphabet);

    private static string Upper(int length) => Pick(length, "QXKPZRTVWBNCYDLFGHJSE234567");

    private static string Pick(int length, string alphabet)
    {
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = alphabet[((i * 7) + (length * 3)) % alphabet.Length];
        }

        return new string(chars);
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(Random(bytes));

    private static byte[] Random(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static string B64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Lorem() =>
        string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ", 400));
}
