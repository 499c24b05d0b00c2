import { csvField, toCsv } from '../../src/services/csv';

describe('CSV escaping (RFC 4180, OWASP formula injection)', () => {
  it.each([
    { when: 'a plain word', value: 'FILLED', csv: 'FILLED' },
    { when: 'a comma', value: 'a,b', csv: '"a,b"' },
    { when: 'a double quote', value: 'say "hi"', csv: '"say ""hi"""' },
    { when: 'a line break', value: 'line1\nline2', csv: '"line1\nline2"' },
    { when: 'a carriage return', value: 'a\rb', csv: '"a\rb"' },
    { when: 'a leading space', value: ' x', csv: '" x"' },
    { when: 'null', value: null, csv: '' },
    { when: 'an object', value: { a: 'x,y' }, csv: '"{""a"":""x,y""}"' },
    { when: 'a number', value: 12.5, csv: '12.5' },
  ])('when a field is $when, then it is written as $csv', ({ value, csv }) => {
    expect(csvField(value)).toBe(csv);
  });

  it.each([
    { when: 'a formula', value: '=HYPERLINK("http://x","y")', csv: '"\'=HYPERLINK(""http://x"",""y"")"' },
    { when: 'a DDE payload starting with a minus', value: "-2+3+cmd|' /C calc'!A0", csv: "'-2+3+cmd|' /C calc'!A0" },
    { when: 'a plus sign', value: '+SUM(A1:A2)', csv: "'+SUM(A1:A2)" },
    { when: 'an at sign', value: '@SUM(A1)', csv: "'@SUM(A1)" },
    { when: 'a leading tab', value: '\t=1+1', csv: "'\t=1+1" },
    { when: 'a leading carriage return', value: '\r=1+1', csv: '"\'\r=1+1"' },
    { when: 'a lone minus', value: '-', csv: "'-" },
  ])('when a cell starts like a formula ($when), then it gets a leading quote: $csv', ({ value, csv }) => {
    expect(csvField(value)).toBe(csv);
  });

  it.each([
    { when: 'a negative amount', value: '-15.00', csv: '-15.00' },
    { when: 'a negative number', value: -15, csv: '-15' },
    { when: 'a signed exponent', value: '+1.5e3', csv: '+1.5e3' },
    { when: 'text with an equals sign inside', value: 'a=b', csv: 'a=b' },
  ])('when a cell is $when, then it is left as it is: $csv', ({ value, csv }) => {
    expect(csvField(value)).toBe(csv);
  });

  it('when a record has a formula in one cell and a negative amount in another, then the formula is neutralised and the amount stays a number', () => {
    expect(toCsv(['reason', 'pnl'], [{ reason: '=cmd|x', pnl: '-15.00' }])).toBe("reason,pnl\r\n'=cmd|x,-15.00\r\n");
  });

  it('when rows are written, then the header comes first and every record ends with CRLF in column order', () => {
    expect(toCsv(['b', 'a'], [{ a: 1, b: 'x"y' }, { a: null, b: '' }])).toBe('b,a\r\n"x""y",1\r\n,\r\n');
  });
});
