using System.Text;
using Gateway.Interception.Dlp;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>A held value is found in base64 and base64url whatever bytes surround it (each of the three alignments).</summary>
public sealed class DlpEncodingsTests
{
    [Theory]
    [InlineData("p@ss/w+rd=Kq8vZ3xW9pL4mN7r")]
    [InlineData("0123456789abcdef")]
    [InlineData("ключ-с-юникодом-42")]
    public void AValueInsideAnyBase64Blob_IsFound(string value)
    {
        var forms = new List<string>();
        DlpEncodings.AddForms(value, forms);
        for (int before = 0; before < 7; before++)
        {
            for (int after = 0; after < 4; after++)
            {
                byte[] blob = [.. Enumerable.Repeat((byte)'x', before), .. Encoding.UTF8.GetBytes(value), .. Enumerable.Repeat((byte)'y', after)];
                string base64 = Convert.ToBase64String(blob);
                string base64Url = base64.Replace('+', '-').Replace('/', '_');

                Assert.Contains(forms, f => base64.Contains(f, StringComparison.Ordinal));
                Assert.Contains(forms, f => base64Url.Contains(f, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void ShortValues_AreNotSearchedFor()
    {
        var forms = new List<string>();

        DlpEncodings.AddForms("abc1234", forms);

        Assert.Empty(forms);
    }

    [Fact]
    public void HeldSecrets_KnowsANewValueAtOnce_AndKeepsTheLastTwoPerSource()
    {
        var held = new HeldSecrets();
        object source = new();
        var context = new DlpContext(null, "dev");

        held.Remember(source, "first-value-123456");
        held.Remember(source, "second-value-123456");
        held.Remember(source, "third-value-123456");

        Assert.Equal(DlpPattern.None, DlpScan.Text(held.Needles, "x first-value-123456 x", false, context));
        Assert.Equal(DlpPattern.Credential, DlpScan.Text(held.Needles, "x second-value-123456 x", false, context));
        Assert.Equal(DlpPattern.Credential, DlpScan.Text(held.Needles, "x third-value-123456 x", false, context));
    }
}
