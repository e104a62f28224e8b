
(function(){
var rows=[].slice.call(document.querySelectorAll('tbody tr'));var bar=document.getElementById('bar');bar.hidden=false;
var current=-1;
function visible(){return rows.filter(function(r){return !r.hidden;});}
function go(r){if(!r)return;rows.forEach(function(x){x.classList.remove('current');});r.classList.add('current');
r.scrollIntoView({block:'center'});current=rows.indexOf(r);}
function step(d,pred){var v=visible();var i=v.indexOf(rows[current]);for(var k=1;k<=v.length;k++){
var r=v[(i+d*k+v.length*k)%v.length];if(!pred||pred(r)){go(r);return;}}}
var q=document.getElementById('q'),flagged=document.getElementById('flagged'),edited=document.getElementById('edited'),
lang=document.getElementById('lang'),flag=document.getElementById('flag');
function apply(){var text=q.value.toLowerCase();rows.forEach(function(r){var show=true;
if(flagged.checked&&!r.hasAttribute('data-f'))show=false;if(edited.checked&&!r.hasAttribute('data-e'))show=false;
if(lang.value&&r.querySelector('td i').textContent!==lang.value)show=false;
if(flag.value&&(' '+(r.getAttribute('data-f')||'')+' ').indexOf(' '+flag.value+' ')<0)show=false;if(text&&r.textContent.toLowerCase().indexOf(text)<0)show=false;
r.hidden=!show;});}
[q,flagged,edited,lang,flag].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
document.addEventListener('keydown',function(e){if(e.target===q){if(e.key==='Escape'){q.blur();}return;}
if(e.key==='j'){step(1);}else if(e.key==='k'){step(-1);}else if(e.key==='f'){step(1,function(r){return r.hasAttribute('data-f');});}
else if(e.key==='/'){e.preventDefault();q.focus();}});
rows.forEach(function(r){r.addEventListener('click',function(){go(r);});});
function wrap(cell,ranges){var walker=document.createTreeWalker(cell,NodeFilter.SHOW_TEXT),node,nodes=[],pos=0;
while((node=walker.nextNode()))nodes.push(node);
nodes.forEach(function(n){var start=pos,end=pos+n.data.length;pos=end;
var inside=ranges.filter(function(r){return r[0]<end&&r[1]>start;});if(!inside.length)return;
var frag=document.createDocumentFragment(),cur=start;
inside.forEach(function(r){var a=Math.max(r[0],start,cur),b=Math.min(r[1],end);if(b<=a)return;
if(a>cur)frag.appendChild(document.createTextNode(n.data.slice(cur-start,a-start)));
var w=document.createElement('span');w.className='w';w.dataset.w=r[2];w.textContent=n.data.slice(a-start,b-start);
frag.appendChild(w);cur=b;});
if(cur<end)frag.appendChild(document.createTextNode(n.data.slice(cur-start)));n.parentNode.replaceChild(frag,n);});}
function links(r){if(r.dataset.wrapped||!r.dataset.links)return;r.dataset.wrapped='1';
var en=[],src={};r.dataset.links.split(' ').forEach(function(l,k){var v=l.split('.').map(function(x){return parseInt(x,36);});
en.push([v[0],v[1],'e'+k]);var key=v[2]+'.'+v[3];(src[key]=src[key]||[v[2],v[3],'']);src[key][2]+=' e'+k;});
var s=Object.keys(src).map(function(k){return src[k];}).sort(function(a,b){return a[0]-b[0];});
wrap(r.children[3],en);wrap(r.children[2].classList.contains('same')?r.children[1]:r.children[2],s);}
rows.forEach(function(r){r.addEventListener('mouseenter',function(){links(r);});});
document.addEventListener('mouseover',function(e){var w=e.target.closest&&e.target.closest('.w');
[].forEach.call(document.querySelectorAll('.wl'),function(x){x.classList.remove('wl');});
if(w){var keys=w.dataset.w.trim().split(' ');var row=w.closest('tr');
[].forEach.call(row.querySelectorAll('.w'),function(x){var mine=x.dataset.w.trim().split(' ');
if(mine.some(function(k){return keys.indexOf(k)>=0;}))x.classList.add('wl');});}});
document.addEventListener('mouseover',function(e){var t=e.target.closest&&e.target.closest('[data-t]');
[].forEach.call(document.querySelectorAll('.hl'),function(x){x.classList.remove('hl');});
if(t){[].forEach.call(t.closest('tr').querySelectorAll('[data-t="'+t.dataset.t+'"]'),function(x){x.classList.add('hl');});}});
})();
