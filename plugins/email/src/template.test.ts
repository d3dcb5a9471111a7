import { describe, expect, it } from 'vitest';
import { compileTemplate, templateProblem } from './template.js';

describe('message templates', () => {
  it('fills placeholders from nested variables', () => {
    expect(compileTemplate('Hi {{traits.firstName}}, you bought {{ properties.item.name }}', 'text')({ traits: { firstName: 'Ada' }, properties: { item: { name: 'a lamp' } } })).toBe(
      'Hi Ada, you bought a lamp',
    );
  });

  it('renders the fallback for a missing, null or empty value, and nothing without one', () => {
    const template = compileTemplate('Hi {{traits.firstName ?? "there"}}{{traits.suffix}}!', 'text');
    expect(template({ traits: {} })).toBe('Hi there!');
    expect(template({ traits: { firstName: null } })).toBe('Hi there!');
    expect(template({ traits: { firstName: '' } })).toBe('Hi there!');
  });

  it('escapes values, not the template, in HTML', () => {
    expect(compileTemplate('<p title="{{traits.name}}">{{traits.name}}</p>', 'html')({ traits: { name: `"><script>alert('x')</script>&` } })).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('keeps a header value on one line', () => {
    expect(compileTemplate('Welcome {{traits.name}}', 'header')({ traits: { name: 'Ada\r\nBcc: everyone@example.com' } })).toBe('Welcome Ada Bcc: everyone@example.com');
  });

  it('renders numbers and booleans as text and objects as JSON', () => {
    expect(compileTemplate('{{a}} {{b}} {{c}}', 'text')({ a: 3, b: false, c: { x: 1 } })).toBe('3 false {"x":1}');
  });

  it('does not read inherited properties', () => {
    expect(compileTemplate('{{traits.constructor}}', 'text')({ traits: {} })).toBe('');
  });

  it('names a placeholder it cannot read', () => {
    expect(templateProblem('Hi {{traits.first name}}')).toContain('"{{traits.first name}}" is not a placeholder');
    expect(templateProblem('Hi {{traits.firstName')).toBe('has an unmatched "{{" or "}}"');
    expect(templateProblem('Hi {{traits.firstName ?? "x"}}')).toBeUndefined();
  });
});
