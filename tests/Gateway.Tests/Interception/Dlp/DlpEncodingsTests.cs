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

    [Theory]
    [InlineData("8chars!!")]
    [InlineData("p@ss/w+rd=Kq8vZ3xW9pL4mN7r")]
    public void EveryForm_IsFoundAtEveryOffset_AndNotInTextWithoutIt(string value)
    {
        var forms = new List<string>();
        DlpEncodings.AddForms(value, forms);
        var index = new DlpCredentialIndex(new HashSet<string>(forms, StringComparer.Ordinal));
        string filler = new('.', 300);

        Assert.False(index.Occurs(filler));
        foreach (string form in forms)
        {
            // Offsets past four strides reach both the four-samples-per-round loop and the one-sample tail.
            for (int before = 0; before < 4 * index.Stride + 8; before++)
            {
                for (int after = 0; after < 3; after++)
                {
                    Assert.True(index.Occurs(filler[..before] + form + filler[..after]), $"{form} at {before}+{after}");
                }
            }
        }
    }

    [Fact]
    public void ALongValue_IsFoundByItsPrefix_AndTheCarryStaysBounded()
    {
        string value = string.Concat(Enumerable.Repeat("Zq8vW3xK9pL4mN7r", 200));
        var held = new HeldSecrets();
        held.Remember(new object(), value);
        var context = new DlpContext(null, "dev");
        byte[] secret = Encoding.UTF8.GetBytes(value);

        Assert.Equal(DlpShapes.MaxLookahead, held.Needles.Carry);
        Assert.Equal(DlpPattern.Credential, DlpScan.Text(held.Needles, "x" + value + "x", false, context));
        Assert.Equal(DlpPattern.Credential, DlpScan.Text(held.Needles, Convert.ToHexStringLower(secret), false, context));
        Assert.Equal(DlpPattern.Credential, DlpScan.Text(held.Needles, Convert.ToBase64String([.. "k="u8, .. secret]), false, context));
        Assert.Equal(DlpPattern.None, DlpScan.Text(held.Needles, value.AsSpan(0, DlpEncodings.MaxFormLength - 1), false, context));
    }
}
