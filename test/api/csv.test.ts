import { csvField, toCsv } from '../../src/api/csv';

describe('CSV escaping (RFC 4180)', () => {
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

  it('when rows are written, then the header comes first and every record ends with CRLF in column order', () => {
    expect(toCsv(['b', 'a'], [{ a: 1, b: 'x"y' }, { a: null, b: '' }])).toBe('b,a\r\n"x""y",1\r\n,\r\n');
  });
});
