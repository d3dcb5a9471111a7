import { readText, stripDiacritics } from './text.js';

/**
 * Every ISO 3166-1 country, `alpha-2:alpha-3`, plus `xk:xkx`: Kosovo's code is user-assigned, but it is
 * the one the EU and most platforms use.
 */
const COUNTRY_CODES = `
ad:and ae:are af:afg ag:atg ai:aia al:alb am:arm ao:ago aq:ata ar:arg as:asm at:aut au:aus aw:abw ax:ala az:aze
ba:bih bb:brb bd:bgd be:bel bf:bfa bg:bgr bh:bhr bi:bdi bj:ben bl:blm bm:bmu bn:brn bo:bol bq:bes br:bra bs:bhs
bt:btn bv:bvt bw:bwa by:blr bz:blz ca:can cc:cck cd:cod cf:caf cg:cog ch:che ci:civ ck:cok cl:chl cm:cmr cn:chn
co:col cr:cri cu:cub cv:cpv cw:cuw cx:cxr cy:cyp cz:cze de:deu dj:dji dk:dnk dm:dma do:dom dz:dza ec:ecu ee:est
eg:egy eh:esh er:eri es:esp et:eth fi:fin fj:fji fk:flk fm:fsm fo:fro fr:fra ga:gab gb:gbr gd:grd ge:geo gf:guf
gg:ggy gh:gha gi:gib gl:grl gm:gmb gn:gin gp:glp gq:gnq gr:grc gs:sgs gt:gtm gu:gum gw:gnb gy:guy hk:hkg hm:hmd
hn:hnd hr:hrv ht:hti hu:hun id:idn ie:irl il:isr im:imn in:ind io:iot iq:irq ir:irn is:isl it:ita je:jey jm:jam
jo:jor jp:jpn ke:ken kg:kgz kh:khm ki:kir km:com kn:kna kp:prk kr:kor kw:kwt ky:cym kz:kaz la:lao lb:lbn lc:lca
li:lie lk:lka lr:lbr ls:lso lt:ltu lu:lux lv:lva ly:lby ma:mar mc:mco md:mda me:mne mf:maf mg:mdg mh:mhl mk:mkd
ml:mli mm:mmr mn:mng mo:mac mp:mnp mq:mtq mr:mrt ms:msr mt:mlt mu:mus mv:mdv mw:mwi mx:mex my:mys mz:moz na:nam
nc:ncl ne:ner nf:nfk ng:nga ni:nic nl:nld no:nor np:npl nr:nru nu:niu nz:nzl om:omn pa:pan pe:per pf:pyf pg:png
ph:phl pk:pak pl:pol pm:spm pn:pcn pr:pri ps:pse pt:prt pw:plw py:pry qa:qat re:reu ro:rou rs:srb ru:rus rw:rwa
sa:sau sb:slb sc:syc sd:sdn se:swe sg:sgp sh:shn si:svn sj:sjm sk:svk sl:sle sm:smr sn:sen so:som sr:sur ss:ssd
st:stp sv:slv sx:sxm sy:syr sz:swz tc:tca td:tcd tf:atf tg:tgo th:tha tj:tjk tk:tkl tl:tls tm:tkm tn:tun to:ton
tr:tur tt:tto tv:tuv tw:twn tz:tza ua:ukr ug:uga um:umi us:usa uy:ury uz:uzb va:vat vc:vct ve:ven vg:vgb vi:vir
vn:vnm vu:vut wf:wlf ws:wsm xk:xkx ye:yem yt:myt za:zaf zm:zmb zw:zwe`
  .trim()
  .split(/\s+/)
  .map((pair) => pair.split(':') as [alpha2: string, alpha3: string]);

/** Names people write that are not the English name below (keys as `countryKey` makes them). */
const COUNTRY_ALIASES: Record<string, string> = {
  'united states of america': 'us', 'u s': 'us', 'u s a': 'us',
  uk: 'gb', 'u k': 'gb', 'great britain': 'gb', britain: 'gb', england: 'gb', scotland: 'gb', wales: 'gb', 'northern ireland': 'gb',
  'people s republic of china': 'cn', prc: 'cn', 'mainland china': 'cn',
  'hong kong': 'hk', macau: 'mo', macao: 'mo', 'republic of korea': 'kr', 'russian federation': 'ru',
  'viet nam': 'vn', 'czech republic': 'cz', turkey: 'tr', holland: 'nl', 'ivory coast': 'ci', burma: 'mm', myanmar: 'mm',
  swaziland: 'sz', macedonia: 'mk', 'cabo verde': 'cv', vatican: 'va', 'holy see': 'va', palestine: 'ps', 'east timor': 'tl',
  'democratic republic of the congo': 'cd', 'dr congo': 'cd', 'republic of the congo': 'cg', uae: 'ae', emirates: 'ae',
};

const alpha2Codes: ReadonlySet<string> = new Set(COUNTRY_CODES.map(([alpha2]) => alpha2));
const alpha2ByAlpha3: ReadonlyMap<string, string> = new Map(COUNTRY_CODES.map(([alpha2, alpha3]) => [alpha3, alpha2]));
const alpha2ByName: ReadonlyMap<string, string> = new Map([...englishNames(), ...Object.entries(COUNTRY_ALIASES)]);

/**
 * An ISO 3166-1 alpha-2 code in lower case (`cn`), from an alpha-2 or alpha-3 code or a country's
 * English name (`United States`, `USA`, `U.S.`, `Côte d’Ivoire`, `UK`), in any case; `undefined` for
 * anything else.
 *
 * @example
 * normalizeCountry('CN') // 'cn'
 * normalizeCountry('DEU') // 'de'
 * normalizeCountry('  united kingdom ') // 'gb'
 * normalizeCountry('Atlantis') // undefined
 */
export function normalizeCountry(value: unknown): string | undefined {
  const text = readText(value);
  if (text === undefined) return undefined;
  const key = countryKey(text);
  if (alpha2Codes.has(key)) return key;
  return alpha2ByAlpha3.get(key) ?? alpha2ByName.get(key);
}

/** Lower case, no accents, `&` as `and`, punctuation as spaces, no leading "the", `st` for "saint". */
function countryKey(text: string): string {
  return stripDiacritics(text.toLowerCase())
    .replaceAll('&', ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the /, '')
    .replace(/\bsaint\b/g, 'st');
}

/** English names from the runtime's Unicode data (CLDR): `St. Kitts & Nevis`, `Bosnia & Herzegovina`. */
function englishNames(): Array<[string, string]> {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  return COUNTRY_CODES.flatMap(([alpha2]): Array<[string, string]> => {
    const name = names.of(alpha2.toUpperCase());
    return name === undefined ? [] : [[countryKey(name), alpha2]];
  });
}
