using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Credentials;

namespace Gateway.Tests.Credentials;

/// <summary>One request of AWS's SigV4 test suite (testdata/sigv4/aws-sig-v4-test-suite.json).</summary>
internal sealed record SigV4SuiteCase(string Name, string Method, string Path, string Query, string[][] Headers, string Body, string Authorization)
{
    private static readonly Lazy<JsonDocument> s_suite = new(() =>
        JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "testdata", "sigv4", "aws-sig-v4-test-suite.json"))));

    public static string Region => Field("region");

    public static string Service => Field("service");

    public static string AccessKeyId => Field("accessKeyId");

    public static string SecretAccessKey => Field("secretAccessKey");

    public static DateTime Time => DateTime.ParseExact(Field("amzDate"), SigV4Signer.DateFormat, System.Globalization.CultureInfo.InvariantCulture,
        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    public static IEnumerable<SigV4SuiteCase> All()
    {
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        foreach (JsonElement element in s_suite.Value.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return element.Deserialize<SigV4SuiteCase>(options)!;
        }
    }

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (SigV4SuiteCase c in All())
        {
            names.Add(c.Name);
        }

        return names;
    }

    public static SigV4SuiteCase Named(string name) => All().Single(c => c.Name == name);

    public SigV4Header[] SignedHeaders() => [.. Headers.Select(h => new SigV4Header(h[0], h[1]))];

    public string PayloadHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Body)));

    private static string Field(string name) => s_suite.Value.RootElement.GetProperty(name).GetString()!;
}
